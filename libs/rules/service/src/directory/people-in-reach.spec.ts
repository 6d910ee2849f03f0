import type { Trigger } from '@mailroom/rules-domain';
import { userIdsNamedByTriggers } from './people-in-reach';

const trigger = (actions: Trigger['actions']): Trigger => ({ id: 't', title: 't', active: true, position: 1, category_id: null, conditions: { all: [], any: [] }, actions });

describe('the users trigger actions name by id', () => {
  it('takes notification targets, assignees and CCs given by id, once each', () => {
    const ids = userIdsNamedByTriggers([
      trigger([
        { field: 'notification_user', value: ['42', 'Subject', 'Body'] },
        { field: 'assignee_id', value: 7 },
      ]),
      trigger([
        { field: 'cc', value: ['9', 42] },
        { field: 'notification_user', value: [42, 'Again', 'Body'] },
      ]),
    ]);
    expect(ids.sort((a, b) => a - b)).toEqual([7, 9, 42]);
  });

  it('leaves out the symbolic targets and other fields', () => {
    expect(
      userIdsNamedByTriggers([
        trigger([
          { field: 'notification_user', value: ['requester_and_ccs', 'S', 'B'] },
          { field: 'assignee_id', value: 'current_user' },
          { field: 'group_id', value: '5' },
          { field: 'priority', value: 'high' },
          { field: 'notification_webhook', value: ['12', '{}'] },
        ]),
      ]),
    ).toEqual([]);
  });
});
