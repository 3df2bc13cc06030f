"""One call from source to events (docs/session.md): the source description and file dispatch (``source``), the
one factory of a call's pipeline (``factory``), the file → result dispatcher (``files``), the pacer (``pacing``),
the pipeline itself (``pipeline``), recordings through it (``recording``) and the stage test harness (``testing``)."""
