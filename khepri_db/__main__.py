"""``python -m khepri_db``: same as the ``khepri-db`` command."""

from khepri_db.cli import main

main()
