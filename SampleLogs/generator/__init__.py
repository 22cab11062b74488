"""The generator of the sample incident in SampleLogs/ (run SampleLogs/generate.py)."""
