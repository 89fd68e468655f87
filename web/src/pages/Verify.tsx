// Safety-number verification: the 60-digit number in 12 groups of 5 and a QR code, compared in
// person or over another channel; then "mark verified". A changed key must be accepted first.
import { type Component, createResource, Show } from 'solid-js';
import { Avatar } from '../components/Avatar';
import { QrCanvas } from '../components/QrCanvas';
import { SafetyNumber } from '../components/SafetyNumber';
import { Topbar } from '../components/Topbar';
import { announce, errorText, notify } from '../stores/announcer';
import { useChat } from '../stores/chat';
import { routeHref } from '../stores/router';

export const VerifyPage: Component<{ userId: string; channelId: string | null }> = (props) => {
  const chat = useChat();
  const user = () => chat.user(props.userId);
  // Re-computed whenever the key in force changes (acknowledged change, re-verification).
  const [number] = createResource(
    () => ({ id: props.userId, changed: user().keyChanged, reverify: user().mustReverify }),
    async (k) => (k.changed ? null : chat.safetyNumber(k.id)),
  );
  // The key log's confirmation of this key (DESIGN §7.5), shown beside the safety number.
  const [keyLog] = createResource(
    () => props.userId,
    (id) => chat.keyLogStatus(id).catch(() => null),
  );

  const setVerified = async (verified: boolean) => {
    try {
      await chat.setVerified(props.userId, verified);
      announce(
        verified ? `${user().displayName} is now verified.` : `${user().displayName} is no longer verified.`,
      );
    } catch (err) {
      notify('error', errorText(err));
    }
  };

  const accept = async () => {
    try {
      await chat.acknowledgeKeyChange(props.userId);
    } catch (err) {
      notify('error', errorText(err));
    }
  };

  const back = () =>
    props.channelId
      ? routeHref({ name: 'channel', channelId: props.channelId, panel: null })
      : routeHref({ name: 'home' });

  return (
    <>
      <Topbar title={`Verify ${user().displayName}`}>
        <a class="btn btn-sm" href={back()}>
          Back
        </a>
      </Topbar>
      <div class="page">
        <div class="page-narrow">
          <Show when={props.userId !== chat.me().id} fallback={<p>This is you.</p>}>
            <Show when={chat.state.trustUnknown !== null}>
              <div class="section banner-danger" role="note">
                <h2>Trust is unknown</h2>
                <p>
                  This safety number uses the key the server shows for {user().displayName} now. Compare it
                  with them before you mark them verified: that is how you rebuild your saved contacts.
                </p>
                <a class="btn" href={routeHref({ name: 'home' })}>
                  Back to your contacts
                </a>
              </div>
            </Show>
            <Show when={user().keyProblem}>
              {(why) => (
                <div class="section banner-danger" role="alert" data-testid="key-log-problem">
                  <h2>The server’s key log disagrees</h2>
                  <p>
                    The key you have for {user().displayName} is not the one the server’s key log publishes (
                    {why()}). The server may be showing you a key of its own. Sending to {user().displayName}{' '}
                    stays blocked; compare the safety number below with theirs.
                  </p>
                </div>
              )}
            </Show>
            <Show when={user().keyChanged}>
              <div class="section banner-danger" role="alert">
                <h2>{user().displayName}’s security key has changed</h2>
                <p>
                  The server now shows a different identity key for {user().displayName} than the one you had.
                  This happens when they set up a new account key, and it is also what an attack by the server
                  would look like. Accept the new key only to compare its safety number with{' '}
                  {user().displayName} in person or over another trusted channel.
                </p>
                <button type="button" class="btn" onClick={() => void accept()}>
                  Accept the new key and show its safety number
                </button>
              </div>
            </Show>
            <Show when={number()}>
              {(sn) => (
                <section class="section" aria-labelledby="sn-head">
                  <div class="row">
                    <Avatar
                      userId={user().id}
                      name={user().displayName}
                      src={chat.avatarUrl(user().id)}
                      size="lg"
                    />
                    <div>
                      <h2 id="sn-head">Safety number with {user().displayName}</h2>
                      <Show
                        when={user().verified}
                        fallback={
                          <span class="badge badge-warn" data-testid="verify-state">
                            {user().mustReverify ? 'Key changed: verify again' : 'Not verified'}
                          </span>
                        }
                      >
                        <span class="badge badge-ok" data-testid="verify-state">
                          ✔ Verified
                        </span>
                      </Show>
                    </div>
                  </div>
                  <div class="verify-grid">
                    <QrCanvas
                      text={sn().qr}
                      label={`QR code of the safety number with ${user().displayName}`}
                    />
                    <div>
                      <SafetyNumber digits={sn().digits} />
                      <p class="hint" data-testid="key-log-status">
                        <Show
                          when={keyLog()}
                          fallback={
                            user().keyProblem
                              ? `Key log: ${user().keyProblem}.`
                              : 'Key log: not checked yet (the server has no epoch for this key yet).'
                          }
                        >
                          {(k) =>
                            `Key published in the server’s key log at version ${k().version}, checked at epoch ${k().epoch}.`
                          }
                        </Show>
                      </p>
                      <p class="hint">
                        Compare these 60 digits with the ones {user().displayName} sees for you, in person or
                        on a call. If they match, nobody is in the middle. They are the same on both sides.
                      </p>
                      <div class="row verify-actions">
                        <Show
                          when={user().verified}
                          fallback={
                            <button
                              type="button"
                              class="btn btn-primary"
                              onClick={() => void setVerified(true)}
                            >
                              Mark as verified
                            </button>
                          }
                        >
                          <button type="button" class="btn" onClick={() => void setVerified(false)}>
                            Unverify
                          </button>
                        </Show>
                      </div>
                    </div>
                  </div>
                </section>
              )}
            </Show>
            <Show when={number.error}>
              <p class="form-error" role="alert">
                Could not compute the safety number: {errorText(number.error)}
              </p>
            </Show>
          </Show>
        </div>
      </div>
    </>
  );
};
