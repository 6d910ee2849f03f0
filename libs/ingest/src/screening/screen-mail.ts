import { classifyAutomated, type Address, type AutomatedKind, type InboundMail, type MailVerdict, type SupportAddress, type SuspensionCause } from '@mailroom/mail-domain';
import type { Db } from '@mailroom/database';

export interface ScreenInput {
  mail: InboundMail;
  requester: Address;
  supportAddresses: readonly SupportAddress[];
  at: Date;
}

const CAUSE_OF: Record<AutomatedKind, SuspensionCause> = {
  auto_reply: 'auto_mailer',
  bounce: 'auto_delivery_failure',
  list: 'auto_mailer',
  from_support_address: 'from_support_address',
  our_notification: 'loop',
};

/**
 * Loop and junk protection: decides, before threading, whether a parsed mail may become a ticket
 * or comment at all. Runs in the worker's transaction (`tx`) so counters it keeps commit with the
 * mail's outcome.
 */
export const screenMail = async (_tx: Db, input: ScreenInput): Promise<MailVerdict> => {
  const automated = classifyAutomated(input.mail, input.supportAddresses);
  if (automated) return { kind: 'suspend', cause: CAUSE_OF[automated.kind], detail: automated.reason };
  return { kind: 'accept' };
};
