"""The live call's core: journal, state, reminder plan, objection search (no Textual)."""
