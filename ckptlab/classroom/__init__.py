"""Teaching at scale: nbgrader courses, grade results and their exports, learner ids, Dask.

Sits on top of `ckptlab.check` (which runs and judges one submission) and below the
command line; imports nothing heavy at import time.
"""
