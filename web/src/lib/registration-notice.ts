// What the register page says and allows, from the relay's REGISTRATION mode and what the invite
// code of the link (if any) is worth: a notice, whether the form is open, whether the code goes
// with the registration, and a username the invite is bound to.
import type { InviteStatus, RegistrationResponse } from '@parley/server/protocol';

export interface RegistrationNotice {
  tone: 'info' | 'danger';
  title: string;
  text: string;
}

export interface RegistrationPlan {
  notice: RegistrationNotice | null;
  /** False: registering here cannot succeed, so the form is not offered. */
  formOpen: boolean;
  /** Send the link's code with the registration. */
  sendInvite: boolean;
  /** The invite is for this username only. */
  username: string | null;
  admin: boolean;
  expiresAt: number | null;
}

const BAD_INVITE: Record<Exclude<InviteStatus, 'valid'>, string> = {
  unknown: 'This invite link is not valid. Check that you opened all of it, or ask for a new one.',
  expired: 'This invite has expired. Ask whoever sent it for a new one.',
  used_up: 'This invite has already been used. Ask whoever sent it for a new one.',
  revoked: 'This invite was withdrawn. Ask whoever sent it for a new one.',
  not_accepted:
    'Registration on this server is now closed: only links its administrator makes on the server work. Ask for a new one.',
};

export function registrationPlan(info: RegistrationResponse, code: string | null): RegistrationPlan {
  const none = { username: null, admin: false, expiresAt: null };
  if (code === null || info.invite === null) {
    if (info.mode === 'open') return { notice: null, formOpen: true, sendInvite: false, ...none };
    const notice: RegistrationNotice =
      info.mode === 'invite'
        ? {
            tone: 'info',
            title: 'Invitation only',
            text: 'This server creates accounts through invite links. Ask one of its administrators for a link, then open it here.',
          }
        : {
            tone: 'info',
            title: 'Registration is closed',
            text: 'The administrator of this server creates accounts and sends you a link to open. If you have one, open it.',
          };
    return { notice, formOpen: false, sendInvite: false, ...none };
  }
  const { status } = info.invite;
  if (status !== 'valid') {
    const open = info.mode === 'open';
    return {
      notice: {
        tone: 'danger',
        title: 'This invite does not work',
        text: `${BAD_INVITE[status]}${open ? ' You can still create an account without it.' : ''}`,
      },
      formOpen: open,
      sendInvite: false,
      ...none,
    };
  }
  const admin = info.invite.role === 'admin';
  const who = info.invite.username ? ` for the username ${info.invite.username}` : '';
  return {
    notice: {
      tone: 'info',
      title: admin ? 'You are invited as an administrator' : 'You are invited',
      text: `This invite creates an account${who}. Choose your password below: it never leaves this browser.`,
    },
    formOpen: true,
    sendInvite: true,
    username: info.invite.username,
    admin,
    expiresAt: info.invite.expiresAt,
  };
}
