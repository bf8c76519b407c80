"""The pieces of bench/fault_run.py: the stack it starts, the SMTP sink, the traffic, the faults, the checks."""
