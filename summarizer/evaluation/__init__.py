"""Evaluation commands: `briefbot eval quotes|summaries|extraction`. Each module has main(argv) -> int."""
