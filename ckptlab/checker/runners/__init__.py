"""Runners: the code that runs learner functions (in the sandboxed child) and records
observations. Non-runners here are named for what they are: stages, dataflow, watch."""
