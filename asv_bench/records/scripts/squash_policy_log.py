"""squash (float64 by default) called 400 times, each after NumPy's spelling, logging the parallel policy: serial or parallel, each region's measured gain.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python asv_bench/records/scripts/squash_policy_log.py [float64|float32]"""
import time, numpy as np, batchdot, sys
from batchdot.cpu import policy
rng = np.random.default_rng(0)
dt = sys.argv[1] if len(sys.argv) > 1 else "float64"
x = rng.standard_normal((64, 12, 4, 5)).astype(dt); y = rng.standard_normal((64, 12, 5, 8)).astype(dt)
x3 = x.reshape(64, 48, 5); yt = y.transpose(0, 2, 1, 3)
for _ in range(5): batchdot.batch_dot(x, y)
log = []
for i in range(400):
    t = time.perf_counter(); np.matmul(x3, yt.reshape(64, 5, 96)); tn = time.perf_counter() - t
    t = time.perf_counter(); batchdot.batch_dot(x, y); tb = time.perf_counter() - t
    s = policy.state
    log.append((tb * 1e6, tn * 1e6, s.serial_since is not None, s.last_gain, s.contended, s.hold, s.regions))
tb = np.array([l[0] for l in log]); ser = np.array([l[2] for l in log])
print(dt, "batchdot median %.0f us (serial %d of %d calls; parallel calls median %.0f, serial %.0f), numpy median %.0f" % (
    np.median(tb), ser.sum(), len(log), np.median(tb[~ser]) if (~ser).any() else -1, np.median(tb[ser]) if ser.any() else -1, np.median([l[1] for l in log])))
gains = [l[3] for l in log if l[3] is not None]
print("gains: min %.2f median %.2f; contended %d, regions %d, hold %.3f" % (min(gains), np.median(gains), log[-1][4], log[-1][6], log[-1][5]))
print("first 40 serial flags:", "".join("S" if l[2] else "." for l in log[:80]))
print("gains of the first 20 regions:", [round(l[3], 2) for l in log[:20] if l[3] is not None])
out_shape = (64, 12, 4, 12, 8)
ts = []
for _ in range(200):
    t = time.perf_counter(); np.empty(out_shape, dt).fill(0); ts.append(time.perf_counter() - t)
print("a new result array of squash's shape, written once: median %.0f us" % (np.median(ts) * 1e6))
