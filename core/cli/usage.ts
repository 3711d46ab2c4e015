export const usage = `agent-bruno - a desktop agent for homelab operators, from the command line

Usage:
  agent-bruno ask "<question>" [--model <name>] [--conversation <id>] [--json]
      Streams the answer to stdout. --json prints one JSON line with the answer and the turn's stats.
  agent-bruno serve [--port <n>] [--host <addr>]
      Serves the UI and the API over HTTP (default http://127.0.0.1:7878), printing the URL with its token.
  agent-bruno health [--json]
      Checks Ollama and prints the health state.
  agent-bruno help

Exit codes: 0 ok, 1 the command failed (reason on stderr), 2 usage or settings error, 130 interrupted.
Configuration: environment variables (OLLAMA_HOST, BRUNO_CHAT_MODEL, BRUNO_PORT, ...), see the README.`;
