"""Scheduled transitions: the job runner (runner.py) and what each kind of job does
(kinds.py). Jobs are stored in store/jobs.py."""
