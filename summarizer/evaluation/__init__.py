"""Evaluation commands: `briefbot eval quotes|summaries|extraction|brief`. Each module has main(argv) -> int."""
