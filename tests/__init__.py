import os

# Before any of paperclerk's rich consoles exist: a console fixes its width when it is made, and a test process
# that is not attached to a terminal (pytest-xdist workers, CI logs) would otherwise wrap CLI tables at 80 columns.
os.environ.setdefault("COLUMNS", "250")
