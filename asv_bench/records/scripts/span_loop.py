"""A tile span in an @njit loop, for the one-thread measurement scripts beside this one."""
from numba import njit

from batchdot.cpu.tiles import ROWS


def runner(span):
    """``run(x, y, out, zero, reps)``: ``span`` over every work item of the tiles, ``reps`` times."""
    @njit
    def run(x, y, out, zero, reps):
        for _ in range(reps):
            span(x, y, out, zero, 0, out.shape[0] * ((x.shape[1] + ROWS - 1) // ROWS))
    return run
