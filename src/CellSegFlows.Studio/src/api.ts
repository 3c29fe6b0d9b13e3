/**
 * The server's REST API, typed as the studio uses it. Errors are problem details (RFC 9457).
 * The answers' types are the server's own (openapi.json → api-types.ts, generated at build by `npm run api-types`),
 * so a change on the server that the studio does not follow fails `tsc --noEmit`.
 */
import type { components } from './api-types';

type Schemas = components['schemas'];


export type ProblemItem = Schemas['ProblemItem'];
export interface Problem { status: number; title: string; detail?: string; errors?: ProblemItem[] }

export class ApiError extends Error {
  constructor(public readonly problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
  }
}

export type Me = Schemas['Me'];
/** An activity's input, or one the editor shows for an input the activity does not have (no required, no default). */
export type Port = Omit<Schemas['InputPortDto'], 'required' | 'default'> & Partial<Pick<Schemas['InputPortDto'], 'required' | 'default'>>;
export type ActivityInfo = Schemas['ActivityDto'];
export type DefinitionVersion = Schemas['DefinitionVersion'];
export type DefinitionDraft = Schemas['DefinitionDraft'];
/** A metric over runs; the lists of models a run produced are always there (empty when none). */
export type MetricPoint = Omit<Schemas['MetricPoint'], 'champions' | 'registered'> & { champions: string[]; registered: string[] };
export type MetricSeries = Omit<Schemas['MetricSeries'], 'points'> & { points: MetricPoint[] };
export type ArtifactLineage = Schemas['ArtifactLineage'];
export type WorkflowSummary = Schemas['WorkflowSummary'];
export type SaveResult = Schemas['SaveResult'];
export type DiffLine = Schemas['DiffLine'];
export type DefinitionDiff = Schemas['DefinitionDiff'];
export type RunRecord = Schemas['RunDto'];
export type StepRecord = Schemas['StepDto'];
export type NodeState = Schemas['RunNodeDto'];
export type StepEvent = Schemas['StepEventDto'];
export type ArtifactRecord = Schemas['ArtifactDto'];
export type MetricRecord = Schemas['MetricDto'];
export type RunDetail = Schemas['RunDetailDto'];
export type RunSnapshot = Schemas['RunSnapshotDto'];
export type Worker = Schemas['WorkerDto'];
export type ActiveStep = Schemas['ActiveStepDto'];
export type Schedule = Schemas['ScheduleDto'];
export type UserInfo = Schemas['UserInfo'];
export type ApiKeyInfo = Schemas['ApiKeyInfo'];
export type NewApiKey = Schemas['NewApiKey'];
export type AuditEntry = Schemas['AuditEntryDto'];
export type Watch = Schemas['WatchDto'];
export type RunComparison = Schemas['RunComparisonDto'];
/** What the studio sends to create or replace a schedule or watch: a stored definition only. */
export interface ScheduleBody { id: string; definition: string; pinnedVersion: string | null; cron: string; parameters: Record<string, unknown>; misfire: string; allowOverlap: boolean; enabled: boolean }
export interface WatchBody { id: string; definition: string; pinnedVersion: string | null; folder: string; glob: string; parameterName: string; parameters: Record<string, unknown>; settle: string; pollInterval: string; enabled: boolean }
export type TriggerCheck = Schemas['TriggerCheckResult'];
export type FireResult = Schemas['FireResult'];
export type SchedulerState = Schemas['SchedulerState'];

/** Called when the server says we are not signed in. */
export let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void { onUnauthorized = handler; }

async function call<T>(method: string, path: string, body?: unknown, raw = false): Promise<T> {
  const response = await send(method, path, body, raw);
  if (response.status === 204) return undefined as T;
  return response.json() as Promise<T>;
}

/** One page of runs and the cursor of the next one (null on the last page). */
export interface RunPage { runs: RunRecord[]; next: string | null }

async function send(method: string, path: string, body?: unknown, raw = false): Promise<Response> {
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
  return response;
}

async function runPage(filters: Record<string, string>): Promise<RunPage> {
  const response = await send('GET', `/api/runs?${new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== ''))}`);
  return { runs: await response.json() as RunRecord[], next: response.headers.get('X-Next-Cursor') };
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
  validate: (json: string) => call<Schemas['ValidationResult']>('POST', '/api/workflows/validate', json, true),
  save: (json: string) => call<SaveResult>('POST', '/api/workflows', json, true),
  /** The workflow's draft, or null when it has none. */
  draft: async (id: string) => {
    try { return await call<DefinitionDraft>('GET', `/api/workflows/${encodeURIComponent(id)}/draft`); } catch (e) { if (e instanceof ApiError && e.problem.status === 404) return null; throw e; }
  },
  saveDraft: (id: string, json: string) => call<DefinitionDraft>('PUT', `/api/workflows/${encodeURIComponent(id)}/draft`, json, true),
  discardDraft: (id: string) => call<void>('DELETE', `/api/workflows/${encodeURIComponent(id)}/draft`),
  publish: (id: string) => call<SaveResult>('POST', `/api/workflows/${encodeURIComponent(id)}/publish`),
  diff: (id: string, from: string, to: string) => call<DefinitionDiff>('GET', `/api/workflows/${encodeURIComponent(id)}/diff?from=${from}&to=${to}`),
  /** Filters as the server takes them (workflow, version, status, trigger, startedBy, from, to, q, limit, cursor). */
  runPage,
  run: (id: string) => call<RunDetail>('GET', `/api/runs/${encodeURIComponent(id)}`),
  /** Two runs' score tables side by side, B − A. */
  compare: (a: string, b: string) => call<RunComparison>('GET', `/api/runs/compare?${new URLSearchParams({ a, b })}`),
  metricNames: (workflowId: string) => call<Schemas['MetricName'][]>('GET', `/api/workflows/${encodeURIComponent(workflowId)}/metric-names`),
  metricSeries: async (workflowId: string, name: string, aggregate: string): Promise<MetricSeries> => {
    const series = await call<Schemas['MetricSeries']>('GET', `/api/workflows/${encodeURIComponent(workflowId)}/metrics?${new URLSearchParams({ name, aggregate })}`);
    return { ...series, points: series.points.map((p) => ({ ...p, champions: p.champions ?? [], registered: p.registered ?? [] })) };
  },
  lineage: (hash: string) => call<ArtifactLineage>('GET', `/api/artifacts/${encodeURIComponent(hash)}/lineage`),
  start: (workflowId: string, version: string | null, parameters: Record<string, string>, draft = false) => call<Schemas['StartRunResult']>('POST', '/api/runs', { workflowId, version, parameters, draft }),
  cancel: (id: string) => call<Schemas['RunActionResult']>('POST', `/api/runs/${encodeURIComponent(id)}/cancel`),
  retry: (id: string) => call<Schemas['RunActionResult']>('POST', `/api/runs/${encodeURIComponent(id)}/retry`),
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
  scheduler: () => call<SchedulerState>('GET', '/api/ops/scheduler'),
  setScheduler: (paused: boolean) => call<SchedulerState>('POST', `/api/ops/scheduler/${paused ? 'pause' : 'resume'}`),
};

/** The download of a definition version as a workflow file (latest without a hash). */
export function exportUrl(workflowId: string, hash?: string): string {
  return `/api/workflows/${encodeURIComponent(workflowId)}/export${hash ? `?version=${hash}` : ''}`;
}

export function artifactUrl(a: ArtifactRecord): string {
  return `/api/artifacts/${a.hash}?name=${encodeURIComponent(a.name)}`;
}
