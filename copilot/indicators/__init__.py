"""Service-quality indicators of DB330503/T02.3-2018 §7 and the quarterly report (§6.2 统计分析).

Modules: ``models`` (tables), ``csvio`` (CSV validation), ``cdr`` and ``outcomes`` (imports),
``analysis`` (the copilot's own call analysis), ``definitions`` (indicator words and limits),
``compute`` (the numbers), ``report`` / ``html`` / ``svg`` (output). Their commands are
``copilot.commands.indicators``; their speed is measured by ``python -m benchmarks.indicators``.
"""
