"""The Bash analysis: ``words`` tokenizes a command like bash, ``writes`` finds what it writes."""
