/**
 * Field names whose value is a secret, for the object walk (`{ "db_password": "..." }`). Names are
 * compared by how they end, so `access_token` and `clientSecret` count but the token counts an
 * LLM agent logs everywhere (`max_tokens`, `input_tokens`, `token_count`) do not, nor do
 * `secret_name` or `password_hint`.
 */
const secretKeyEnd = /(?:passw(?:or)?d|secret|token|api[_.-]?key|access[_.-]?key|private[_.-]?key|authorization|cookie)$/i;

export function isSecretKey(key: string): boolean {
  return secretKeyEnd.test(key);
}

/**
 * The same names for `key=value` / `"key": "value"` in free text. The keyword has to end the key,
 * right before `:` or `=`, for the same reason as above; the regex starts at the keyword because
 * scanning for it is several times cheaper than trying every word start.
 */
export const secretKeywordSource = '(?:passw(?:or)?d|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)';
