export const usage = `agent-bruno - a desktop agent for homelab operators, from the command line

Usage:
  agent-bruno ask "<question>" [--model <name>] [--conversation <id>] [--json]
      Streams the answer to stdout. --json prints one JSON line with the answer and the turn's stats.
  agent-bruno serve [--port <n>] [--host <addr>]
      Serves the UI and the API over HTTP (default http://127.0.0.1:7878), printing the URL with its token.
  agent-bruno ingest <file-or-folder...> [--json]
  agent-bruno ingest --all [--json]
      Adds files and folders to the knowledge base (Markdown, text, HTML, YAML, JSON, TOML, INI, shell,
      Dockerfiles, Python/TS/JS/Go, PDF). Unchanged files are skipped, changed ones replaced, deleted ones
      removed. --all re-ingests every folder added before (after changing BRUNO_EMBED_MODEL).
  agent-bruno search "<query>" [--mode hybrid|vector|fts] [--fusion convex|rrf] [-k <n>] [--json]
      Searches the knowledge base: hybrid (default) fuses vector and full-text results, by default
      with a convex combination of their z-scores (--fusion rrf: reciprocal rank fusion).
  agent-bruno eval <queries.jsonl> [--fusion convex|rrf] [-k <n>] [--json]
      Scores retrieval on labelled queries, one {"query": "...", "relevant": ["path", ...]} per line
      (paths relative to an ingested folder): MRR, Hit@1/3/5/10 and NDCG@k (k = 10 by default) for
      vector, full-text and hybrid search, and sets the agent_rag_* quality gauges.
  agent-bruno mcp
      Serves Agent Bruno as an MCP server over stdio (for an editor or another agent): tools ask,
      kb_search, kb_ingest_status, memory_search, memory_add, alerts_active, health. Logs go to stderr.
  agent-bruno health [--json]
      Checks Ollama and prints the health state.
  agent-bruno help

Exit codes: 0 ok, 1 the command failed (reason on stderr), 2 usage or settings error, 130 interrupted.
Configuration: environment variables (OLLAMA_HOST, BRUNO_CHAT_MODEL, BRUNO_EMBED_MODEL, BRUNO_STORE_URI, BRUNO_PORT, ...), see the README.`;
