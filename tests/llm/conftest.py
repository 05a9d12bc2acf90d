"""The real local LLM server fixtures (llm_server, llm_settings) live in tests/conftest.py,
so every folder shares one server per session."""
