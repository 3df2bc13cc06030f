"""Developer benchmarks: numbers, not tests (run each as ``python -m benchmarks.<name>``)."""
