"""``python -m demos._worker_child FD``: a demo worker process talking over socket FD.

Started by :class:`demos.worker.DemoRunner`; not meant to be run by hand.
"""

import sys

from demos.worker_child import child_main

if __name__ == "__main__":
    child_main(int(sys.argv[1]))
