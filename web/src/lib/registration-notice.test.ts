import { describe, expect, it } from 'vitest';
import { registrationPlan } from './registration-notice';

const valid = { status: 'valid' as const, username: null, role: 'user' as const, expiresAt: 1_000 };
const CODE = 'gPL2HM1S_1ITrZDChQFh8w';

describe('registrationPlan', () => {
  it('offers the plain form on an open relay without a link', () => {
    expect(registrationPlan({ mode: 'open', invite: null }, null)).toMatchObject({
      notice: null,
      formOpen: true,
      sendInvite: false,
    });
  });

  it('explains invitation-only and closed relays, and offers no form without a link', () => {
    const invite = registrationPlan({ mode: 'invite', invite: null }, null);
    expect(invite).toMatchObject({ formOpen: false, notice: { title: 'Invitation only' } });
    const closed = registrationPlan({ mode: 'closed', invite: null }, null);
    expect(closed).toMatchObject({ formOpen: false, notice: { title: 'Registration is closed' } });
  });

  it('sends a valid code, with its username and role', () => {
    const plan = registrationPlan(
      { mode: 'closed', invite: { ...valid, username: 'root', role: 'admin' } },
      CODE,
    );
    expect(plan).toMatchObject({ formOpen: true, sendInvite: true, username: 'root', admin: true });
    expect(plan.notice?.title).toBe('You are invited as an administrator');
    expect(plan.notice?.text).toContain('for the username root');
  });

  it('says why a code does not work, and offers the form without it only on an open relay', () => {
    for (const status of ['unknown', 'expired', 'used_up', 'revoked', 'not_accepted'] as const) {
      const invite = { status, username: null, role: null, expiresAt: null };
      const closed = registrationPlan({ mode: 'invite', invite }, CODE);
      expect(closed).toMatchObject({ formOpen: false, sendInvite: false, notice: { tone: 'danger' } });
      const open = registrationPlan({ mode: 'open', invite }, CODE);
      expect(open).toMatchObject({ formOpen: true, sendInvite: false });
      expect(open.notice?.text).toMatch(/without it\.$/);
    }
    expect(
      registrationPlan(
        { mode: 'invite', invite: { status: 'expired', username: null, role: null, expiresAt: null } },
        CODE,
      ).notice?.text,
    ).toMatch(/expired/);
  });
});
