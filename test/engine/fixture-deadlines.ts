/** The small fixture agreement with deadlines, shared by the deadline tests and their property test. */
import type { Agreement, AgreementInput } from '../../src/agreement/model.js';
import { DAY, fixture } from './fixture.js';

/** The fixture with a withdrawal deadline (3 days after verified clear, owed by israel) and a deployment deadline (2 days after withdrawal, owed by the deploying force). */
export function withDeadlines(change?: (a: AgreementInput) => void): Agreement {
  return fixture((a) => {
    a.deadlines = [
      {
        id: 'withdraw',
        label: 'Withdraw within 3 days of verified clear',
        after: 'verified-clear',
        stage: 'withdrawn',
        within_ms: 3 * DAY,
        owedBy: { party: 'israel' },
        countsAs: { severity: 'serious' },
        blocksTruceExtension: true,
      },
      {
        id: 'deploy',
        label: 'Deploy within 2 days of the withdrawal',
        after: 'withdrawn',
        stage: 'deployed',
        within_ms: 2 * DAY,
        owedBy: { role: 'deploying-force' },
        holdEscrow: 5_000_00,
      },
    ];
    change?.(a);
  });
}
