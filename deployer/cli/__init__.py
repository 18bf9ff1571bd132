"""The `sumo-content` command line: one module per command group, thin over the library.

Commands parse arguments, call one stage, and render its result; they hold no logic of their own.
"""
