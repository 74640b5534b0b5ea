/**
 * The engine (DESIGN.md, "Shape of the code"): pure `admit` and `evolve` over plain data, the
 * condition language, `explain`, replay and state at a past time.
 */
export { type Admission, type AdmitCode, admit, type SeenStatements } from './admit.js';
export { type Evaluation, evaluate, type Wait } from './conditions.js';
export { available, FUNDS, formatMoney, HOLDS } from './escrow.js';
export { evolve } from './evolve.js';
export { type Explanation, explain, type ZoneExplanation } from './explain.js';
export { FingerprintSeen, FingerprintSet, fnv64 } from './fingerprint-seen.js';
export { BODY_SCHEMAS, type Bodies, DEFAULT_PERMISSIONS, INCIDENT_TYPES, SUBJECTS } from './kinds.js';
export { MemoryRecords, OverlayRecords, type Records, recordIds, recordValues } from './records.js';
export {
  arraySource,
  citedStatementIds,
  type EntrySource,
  entriesAdmittedBy,
  MemorySeen,
  replay,
  snapshot_interval_entries,
  stateAt,
  Timeline,
} from './replay.js';
export {
  beginEntry,
  cloneState,
  type EngineEntry,
  type EngineState,
  type FindingState,
  type IncidentState,
  initialState,
  RECORD_COLLECTIONS,
  type RecordCollection,
  type RecordsFactory,
  rulesFor,
  type StageChange,
  type StrikeClass,
  serializeState,
  snapshotState,
  undoEntry,
  type WithdrawalStatus,
} from './state.js';
export { settle } from './time.js';
