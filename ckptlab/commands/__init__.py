"""The `ckptlab` command handlers: one module per subject, one `run_<command>(args)` each."""
