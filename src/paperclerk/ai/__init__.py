"""The AI provider layer every product line uses: chat and embedding models behind one small interface.

``service`` is the entry point (``complete``, ``structured``, ``stream``, ``embed``, ``usage``); ``providers`` the
interfaces; ``openai_compat`` any OpenAI-compatible server; ``local`` the offline embedding model. See
DEVELOPERS.md, "Using the AI layer".
"""
