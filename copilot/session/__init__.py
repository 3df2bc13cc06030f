"""One call from source to events: the pipeline, recordings through it, and the stage test harness."""
