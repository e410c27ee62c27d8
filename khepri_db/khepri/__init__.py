"""The Khepri coaching app built on the toolkit: its typed client and models (:mod:`.client`), its
generated types (:mod:`.types`, regenerate with ``khepri-db gen types --lang python --role
service_role -o khepri_db/khepri/types.py``) and ``khepri-db demo`` (:mod:`.demo`). Nothing outside
this package depends on it.
"""
