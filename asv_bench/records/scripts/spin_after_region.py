import time, os, numpy as np, numba
from numba import njit, prange
@njit(parallel=True)
def k(a):
    for i in prange(a.shape[0]):
        a[i] += 1.0
a = np.zeros(1000)
k(a); print(numba.threading_layer())
for trial in range(3):
    k(a)
    t0=time.perf_counter(); c0=time.process_time()
    time.sleep(0.002); c1=time.process_time(); t1=time.perf_counter()
    time.sleep(0.02); c2=time.process_time(); t2=time.perf_counter()
    print(f"cpu during first 2ms: {(c1-c0)*1e3:.2f} ms of {(t1-t0)*1e3:.2f}; next 20ms: {(c2-c1)*1e3:.2f} ms")
a2=np.ones((384,384),np.float32)
for trial in range(3):
    a2@a2
    t0=time.perf_counter(); c0=time.process_time()
    time.sleep(0.01); c1=time.process_time(); t1=time.perf_counter()
    time.sleep(0.1); c2=time.process_time(); t2=time.perf_counter()
    print(f"BLAS: cpu during first 10ms: {(c1-c0)*1e3:.2f} ms; next 100ms: {(c2-c1)*1e3:.2f} ms")
t=time.perf_counter()
for _ in range(10000): time.process_time()
print("process_time cost us", (time.perf_counter()-t)/10000*1e6)
t=time.perf_counter()
for _ in range(10000): time.thread_time()
print("thread_time cost us", (time.perf_counter()-t)/10000*1e6)
t=time.perf_counter()
for _ in range(1000):
    with open('/proc/stat','rb') as f: f.read()
print("/proc/stat read us", (time.perf_counter()-t)/1000*1e6)
t=time.perf_counter()
for _ in range(1000):
    with open('/proc/loadavg','rb') as f: f.read()
print("/proc/loadavg read us", (time.perf_counter()-t)/1000*1e6)
fd = os.open('/proc/stat', os.O_RDONLY)
t=time.perf_counter()
for _ in range(1000):
    os.pread(fd, 4096, 0)
print("/proc/stat pread us", (time.perf_counter()-t)/1000*1e6)
