/** The server's REST API, typed as the studio uses it. Errors are problem details (RFC 9457). */

export interface ProblemItem { nodeId: string | null; field: string; message: string; line: number | null; column: number | null }
export interface Problem { status: number; title: string; detail?: string; errors?: ProblemItem[] }

export class ApiError extends Error {
  constructor(public readonly problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
  }
}

export interface Me { name: string; role: string; via: string; can: string[] }
export interface Port { name: string; type: string; description: string; required?: boolean; default?: unknown }
export interface ActivityInfo { type: string; version: number; category: string; description: string; queue: string; inputs: Port[]; outputs: Port[] }
export interface DefinitionVersion { hash: string; workflowId: string; versionLabel: number; description: string; savedAt: string; savedBy: string | null; json: string | null }
export interface WorkflowSummary { id: string; latest: DefinitionVersion; versions: number; lastRunAt: string | null; lastRunStatus: string | null }
export interface SaveResult { created: boolean; note: string | null; version: DefinitionVersion }
export interface DiffLine { op: ' ' | '+' | '-'; text: string; oldLine: number | null; newLine: number | null }
export interface DefinitionDiff { workflowId: string; from: DefinitionVersion; to: DefinitionVersion; added: number; removed: number; lines: DiffLine[] }
export interface RunRecord { id: string; workflowId: string; definitionHash: string; parametersJson: string; trigger: string; triggerDetail: string | null; startedBy: string | null; status: string; createdAt: string; finishedAt: string | null; error: string | null; outputsJson: string | null }
export interface StepRecord { id: string; runId: string; nodeId: string; mapIndex: number | null; activityType: string; queue: string; status: string; attempt: number; inputsJson: string | null; outputsJson: string | null; worker: string | null; scheduledAt: string | null; startedAt: string | null; finishedAt: string | null; error: string | null; progress: number | null; progressMessage: string | null }
export interface NodeState { runId: string; nodeId: string; pendingParents: number; branchCount: number; branchesDone: number; status: string }
export interface StepEvent { id: number; runId: string; stepId: string; time: string; kind: string; attempt: number; status: string | null; message: string | null; worker: string | null }
export interface ArtifactRecord { id: number; hash: string; name: string; size: number; runId: string; stepId: string; createdAt: string }
export interface MetricRecord { id: number; runId: string; stepId: string; name: string; value: number; step: number | null; time: string }
export interface RunDetail { run: RunRecord; definition: DefinitionVersion | null; steps: StepRecord[]; nodes: NodeState[]; events: StepEvent[]; artifacts: ArtifactRecord[]; metrics: MetricRecord[] }
export interface RunSnapshot { run: RunRecord; steps: StepRecord[]; nodes: NodeState[] }
export interface Worker { name: string; queues: string[]; device: string; threads: number; startedAt: string; lastSeenAt: string; stoppedAt: string | null; alive: boolean; runningSteps: number }
export interface ActiveStep { id: string; runId: string; workflowId: string; nodeId: string; mapIndex: number | null; activityType: string; queue: string; status: string; attempt: number; worker: string | null; scheduledAt: string | null; startedAt: string | null; progress: number | null; progressMessage: string | null }
export interface Schedule { id: string; workflowId: string; workflowPath: string | null; pinnedVersion: string | null; definitionHash: string; cron: string; parametersJson: string; enabled: boolean; allowOverlap: boolean; misfire: string; nextFireTime: string | null; nextFireTimes: string[]; lastFiredAt: string | null; lastOutcome: string | null; lastRunId: string | null; lastMessage: string | null; lastFiredBy: string | null; createdBy: string | null; updatedAt: string }
export interface UserInfo { name: string; role: string; hasPassword: boolean; disabled: boolean; createdAt: string }
export interface ApiKeyInfo { id: string; userName: string; label: string | null; createdAt: string; lastUsedAt: string | null; revoked: boolean }
export interface NewApiKey { id: string; key: string; userName: string; label: string | null }
export interface AuditEntry { id: number; time: string; actor: string; action: string; target: string; detail: string | null }
export interface Watch { id: string; workflowId: string; workflowPath: string | null; pinnedVersion: string | null; folder: string; glob: string; parameterName: string; parametersJson: string; settle: string; pollInterval: string; enabled: boolean; filesSeen: number; lastFiredAt: string | null; lastOutcome: string | null; lastRunId: string | null; lastMessage: string | null; lastFiredBy: string | null; createdBy: string | null; updatedAt: string }
/** What the studio sends to create or replace a schedule or watch: a stored definition only. */
export interface ScheduleBody { id: string; definition: string; pinnedVersion: string | null; cron: string; parameters: Record<string, unknown>; misfire: string; allowOverlap: boolean; enabled: boolean }
export interface WatchBody { id: string; definition: string; pinnedVersion: string | null; folder: string; glob: string; parameterName: string; parameters: Record<string, unknown>; settle: string; pollInterval: string; enabled: boolean }
export interface TriggerCheck { valid: boolean; nextFireTimes: string[]; folder: string | null }
export interface FireResult { kind: string; id: string; outcome: string; runsStarted: string[]; message: string | null }

/** Called when the server says we are not signed in. */
export let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void { onUnauthorized = handler; }

async function call<T>(method: string, path: string, body?: unknown, raw = false): Promise<T> {
  const init: RequestInit = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    init.body = raw ? String(body) : JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401 && !path.endsWith('/auth/login')) onUnauthorized();
  if (!response.ok) {
    let problem: Problem;
    try { problem = await response.json(); } catch { problem = { status: response.status, title: response.statusText }; }
    throw new ApiError(problem);
  }
  if (response.status === 204) return undefined as T;
  return response.json() as Promise<T>;
}

export const api = {
  login: (userName: string, password: string) => call<Me>('POST', '/api/auth/login', { userName, password }),
  logout: () => call<void>('POST', '/api/auth/logout'),
  me: () => call<Me>('GET', '/api/auth/me'),
  activities: () => call<ActivityInfo[]>('GET', '/api/activities'),
  workflows: () => call<WorkflowSummary[]>('GET', '/api/workflows'),
  workflow: (id: string) => call<DefinitionVersion>('GET', `/api/workflows/${encodeURIComponent(id)}`),
  versions: (id: string) => call<DefinitionVersion[]>('GET', `/api/workflows/${encodeURIComponent(id)}/versions`),
  definition: (hash: string) => call<DefinitionVersion>('GET', `/api/definitions/${hash}`),
  validate: (json: string) => call<{ valid: boolean }>('POST', '/api/workflows/validate', json, true),
  save: (json: string) => call<SaveResult>('POST', '/api/workflows', json, true),
  diff: (id: string, from: string, to: string) => call<DefinitionDiff>('GET', `/api/workflows/${encodeURIComponent(id)}/diff?from=${from}&to=${to}`),
  runs: (filters: Record<string, string>) => call<RunRecord[]>('GET', `/api/runs?${new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== ''))}`),
  run: (id: string) => call<RunDetail>('GET', `/api/runs/${encodeURIComponent(id)}`),
  start: (workflowId: string, version: string | null, parameters: Record<string, string>) => call<{ runId: string }>('POST', '/api/runs', { workflowId, version, parameters }),
  cancel: (id: string) => call<unknown>('POST', `/api/runs/${encodeURIComponent(id)}/cancel`),
  retry: (id: string) => call<unknown>('POST', `/api/runs/${encodeURIComponent(id)}/retry`),
  workers: () => call<Worker[]>('GET', '/api/ops/workers'),
  activeSteps: () => call<ActiveStep[]>('GET', '/api/ops/steps'),
  schedules: () => call<Schedule[]>('GET', '/api/ops/schedules'),
  watches: () => call<Watch[]>('GET', '/api/ops/watches'),
  setSchedule: (id: string, enabled: boolean) => call<Schedule>('POST', `/api/ops/schedules/${encodeURIComponent(id)}/${enabled ? 'resume' : 'pause'}`),
  saveSchedule: (body: ScheduleBody, existing: boolean) => existing
    ? call<Schedule>('PUT', `/api/ops/schedules/${encodeURIComponent(body.id)}`, body)
    : call<Schedule>('POST', '/api/ops/schedules', body),
  removeSchedule: (id: string) => call<void>('DELETE', `/api/ops/schedules/${encodeURIComponent(id)}`),
  fireSchedule: (id: string) => call<FireResult>('POST', `/api/ops/schedules/${encodeURIComponent(id)}/fire`),
  setWatch: (id: string, enabled: boolean) => call<Watch>('POST', `/api/ops/watches/${encodeURIComponent(id)}/${enabled ? 'resume' : 'pause'}`),
  saveWatch: (body: WatchBody, existing: boolean) => existing
    ? call<Watch>('PUT', `/api/ops/watches/${encodeURIComponent(body.id)}`, body)
    : call<Watch>('POST', '/api/ops/watches', body),
  removeWatch: (id: string) => call<void>('DELETE', `/api/ops/watches/${encodeURIComponent(id)}`),
  scanWatch: (id: string) => call<FireResult>('POST', `/api/ops/watches/${encodeURIComponent(id)}/fire`),
  checkTrigger: (check: { cron?: string; glob?: string; folder?: string; count?: number }) => call<TriggerCheck>('POST', '/api/ops/schedules/validate', check),
  users: () => call<UserInfo[]>('GET', '/api/users'),
  addUser: (name: string, role: string, password: string | null) => call<UserInfo>('POST', '/api/users', { name, role, password }),
  updateUser: (name: string, change: { role?: string; password?: string; disabled?: boolean }) => call<void>('PATCH', `/api/users/${encodeURIComponent(name)}`, change),
  keys: () => call<ApiKeyInfo[]>('GET', '/api/keys'),
  addKey: (userName: string, label: string | null) => call<NewApiKey>('POST', '/api/keys', { userName, label }),
  revokeKey: (id: string) => call<void>('DELETE', `/api/keys/${encodeURIComponent(id)}`),
  audit: (target?: string, limit = 100) => call<AuditEntry[]>('GET', `/api/audit?limit=${limit}${target ? `&target=${encodeURIComponent(target)}` : ''}`),
  scheduler: () => call<{ paused: boolean; worker: string }>('GET', '/api/ops/scheduler'),
  setScheduler: (paused: boolean) => call<{ paused: boolean; worker: string }>('POST', `/api/ops/scheduler/${paused ? 'pause' : 'resume'}`),
};

/** The download of a definition version as a workflow file (latest without a hash). */
export function exportUrl(workflowId: string, hash?: string): string {
  return `/api/workflows/${encodeURIComponent(workflowId)}/export${hash ? `?version=${hash}` : ''}`;
}

export function artifactUrl(a: ArtifactRecord): string {
  return `/api/artifacts/${a.hash}?name=${encodeURIComponent(a.name)}`;
}
