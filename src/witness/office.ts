/**
 * The office's side of witnessing, as one decorator around a {@link MechanismService}: every
 * checkpoint that becomes durable goes to the agreement's witnesses (through
 * {@link WitnessPublisher}, never waiting on them), and the service then answers
 * `checkpoint()` with the newest checkpoint that met the quorum, cosignatures included, and
 * `receipt(i)` against it whenever it covers entry i. Statements are acknowledged exactly as
 * before: a receipt made at admission carries the plain checkpoint (its entry is newer than any
 * cosigned one); the same receipt asked for later carries the cosigned checkpoint.
 */
import { formatReceipt } from '../log/receipt.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { MechanismService } from '../service/mechanism-service.js';
import { WitnessPublisher } from './publisher.js';

/**
 * The service with witnesses, or the service itself when the agreement names none (or its back
 * end cannot prove consistency here yet: only the SQLite log exposes its tree to this process).
 */
export function withWitnesses(service: MechanismService, say: (line: string) => void): MechanismService {
  const witnesses = service.agreement.witnesses;
  if (witnesses === undefined) return service;
  const log = (service as { log?: TransparencyLog }).log;
  if (log === undefined) {
    say('witnesses: this back end does not push checkpoints to witnesses yet; serving plain checkpoints');
    return service;
  }
  let alarms = 0;
  const publisher = new WitnessPublisher({
    logKey: service.logKey,
    witnesses,
    proof: (a, b) => log.consistencyProof(a, b),
  });
  const push = () => {
    void service.checkpoint().then((note) => {
      if (note !== undefined) publisher.add(note);
      const all = publisher.status().alarms;
      for (const a of all.slice(alarms))
        say(`WITNESS ALARM: ${a.witness.split('+')[0]} (${a.url}) at size ${a.size}: ${a.message}`);
      alarms = all.length;
    });
  };
  const unsubscribe = service.onAppended(push);
  push();
  return new CosignedService(service, publisher, log, () => {
    unsubscribe();
    publisher.close();
  });
}

/** Delegates everything to the service, but for the checkpoint and receipts it publishes. */
class CosignedService implements MechanismService {
  readonly #inner: MechanismService;
  readonly #publisher: WitnessPublisher;
  readonly #log: TransparencyLog;
  readonly #stop: () => void;

  constructor(inner: MechanismService, publisher: WitnessPublisher, log: TransparencyLog, stop: () => void) {
    this.#inner = inner;
    this.#publisher = publisher;
    this.#log = log;
    this.#stop = stop;
  }

  /** The publisher's status: each witness, and the alarms (refusals that mean another history exists). */
  witnessStatus(): ReturnType<WitnessPublisher['status']> {
    return this.#publisher.status();
  }

  get agreement() {
    return this.#inner.agreement;
  }
  get origin() {
    return this.#inner.origin;
  }
  get logKey() {
    return this.#inner.logKey;
  }
  get failure(): Error | undefined {
    return this.#inner.failure;
  }
  get queued(): number {
    return this.#inner.queued;
  }
  size() {
    return this.#inner.size();
  }
  submit(...args: Parameters<MechanismService['submit']>) {
    return this.#inner.submit(...args);
  }
  async receipt(index: number): Promise<string> {
    const cosigned = this.#publisher.latest();
    if (cosigned === undefined || index >= cosigned.size) return this.#inner.receipt(index);
    return formatReceipt({
      index,
      proof: this.#log.inclusionProof(index, cosigned.size),
      checkpoint: cosigned.note,
    });
  }
  async checkpoint(): Promise<string | undefined> {
    return this.#publisher.latest()?.note ?? this.#inner.checkpoint();
  }
  tile(...args: Parameters<MechanismService['tile']>) {
    return this.#inner.tile(...args);
  }
  entryBundle(...args: Parameters<MechanismService['entryBundle']>) {
    return this.#inner.entryBundle(...args);
  }
  entry(...args: Parameters<MechanismService['entry']>) {
    return this.#inner.entry(...args);
  }
  indexOfStatement(...args: Parameters<MechanismService['indexOfStatement']>) {
    return this.#inner.indexOfStatement(...args);
  }
  spendNonce(...args: Parameters<MechanismService['spendNonce']>) {
    return this.#inner.spendNonce(...args);
  }
  stateAt(...args: Parameters<MechanismService['stateAt']>) {
    return this.#inner.stateAt(...args);
  }
  onAppended(...args: Parameters<MechanismService['onAppended']>) {
    return this.#inner.onAppended(...args);
  }
  close() {
    this.#stop();
    return this.#inner.close();
  }
}
