-- khepri_private.invalid() never returns: it always raises. Declared IMMUTABLE, a call with constant
-- arguments could be folded (and so raise) while a statement is planned, even in a branch that never
-- runs, which is what plpgsql_check reported on every RPC. VOLATILE says what it is.
alter function khepri_private.invalid(text, text, text) volatile;
