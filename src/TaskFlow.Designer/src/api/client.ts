import { toProblems, type Problem } from '../mapping/problems';
import { apiKey } from './apiKey';

/** An answer other than 2xx, with the RFC 7807 problem's detail and its listed problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly problems: Problem[],
  ) {
    super(problems.length > 0 ? problems.map((p) => p.message).join(' ') : title);
  }
}

/** Calls the TaskFlow API with the key in the X-Api-Key header. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = apiKey();
  if (key) headers['X-Api-Key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const json: unknown = text.length > 0 && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const problem = (json ?? {}) as { title?: string; detail?: string; errors?: unknown };
    throw new ApiError(response.status, problem.title ?? `${response.status} ${response.statusText}`, toProblems(problem.errors, problem.detail ?? problem.title ?? text));
  }
  return json as T;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
