"""``ngheo batch``: every commune of a province for one year, from cron, safe to kill.

``discover`` (find each commune's workbooks) → ``plan`` (skip what has not changed) →
``executors`` (run ``commune.run_commune`` here, in a process pool or on Dask) → ``run``
(the lock, the manifest, the province report, the run summary).
"""
