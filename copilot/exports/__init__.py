"""Readable outputs people look at: analysis text, reviewed-call JSON/HTML, score CSV/HTML, agent scorecards."""
