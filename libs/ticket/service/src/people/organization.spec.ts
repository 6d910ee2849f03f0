import type { OrganizationEvent } from '@mailroom/contracts';
import { decideOrganizationCreate, decideOrganizationUpdate, emailDomain, evolveOrganization, initialOrganizationState, normaliseDomainNames, parseOrganizationInput } from './organization';

const NOW = '2026-12-01T10:00:00.000Z';

describe('organization domain names', () => {
  it('lower-cases, de-duplicates and accepts Zendesk’s space separated text', () => {
    expect(normaliseDomainNames(['Acme.COM', 'acme.com', '@support.acme.com'])).toEqual({ ok: true, value: ['acme.com', 'support.acme.com'] });
    expect(normaliseDomainNames('acme.com example.org')).toEqual({ ok: true, value: ['acme.com', 'example.org'] });
  });

  it('refuses what is not a domain: addresses, single labels, bad hyphens', () => {
    for (const bad of ['someone@acme.com', 'localhost', '-acme.com', 'acme-.com', 'acme..com', 'ac me.com']) {
      expect(normaliseDomainNames([bad])).toMatchObject({ ok: false, error: { field: 'domain_names' } });
    }
    expect(normaliseDomainNames([42])).toMatchObject({ ok: false });
  });

  it('finds the domain of an address for user mapping', () => {
    expect(emailDomain('Jane.Doe@Acme.COM')).toBe('acme.com');
    expect(emailDomain('no-at-sign')).toBeNull();
    expect(emailDomain(null)).toBeNull();
  });
});

describe('organization input', () => {
  it('needs a name to create one and fills Zendesk’s defaults', () => {
    expect(parseOrganizationInput({ domain_names: ['acme.com'] }, true)).toMatchObject({ ok: false, error: { field: 'name' } });
    const input = parseOrganizationInput({ name: 'Acme', domain_names: ['acme.com'], tags: 'VIP gold' }, true);
    expect(input).toEqual({ ok: true, value: { name: 'Acme', domainNames: ['acme.com'], tags: ['vip', 'gold'] } });
    if (!input.ok) throw new Error('expected valid input');
    expect(decideOrganizationCreate(5, input.value, NOW)[0].data).toEqual({
      organizationId: 5,
      name: 'Acme',
      domainNames: ['acme.com'],
      details: '',
      notes: '',
      tags: ['vip', 'gold'],
      sharedTickets: false,
      sharedComments: false,
      groupId: null,
      externalId: null,
      createdAt: NOW,
    });
  });

  it('names the field in each refusal', () => {
    expect(parseOrganizationInput({ name: 'A', shared_tickets: 'yes' }, true)).toMatchObject({ ok: false, error: { field: 'shared_tickets' } });
    expect(parseOrganizationInput({ name: 'A', group_id: 'x' }, true)).toMatchObject({ ok: false, error: { field: 'group_id' } });
    expect(parseOrganizationInput({ name: 'A', details: 5 }, true)).toMatchObject({ ok: false, error: { field: 'details' } });
  });
});

describe('organization updates', () => {
  const state = [...decideOrganizationCreate(5, { name: 'Acme', domainNames: ['acme.com'] }, NOW)].reduce(evolveOrganization, initialOrganizationState());

  it('records only what changed', () => {
    const events = decideOrganizationUpdate(state, { name: 'Acme', domainNames: ['acme.com', 'acme.org'], notes: 'key account' }, NOW);
    expect(events).toEqual([{ type: 'organization.updated', data: { organizationId: 5, domainNames: ['acme.com', 'acme.org'], notes: 'key account', updatedAt: NOW } }]);
    const next = events.reduce(evolveOrganization, state);
    expect(next).toMatchObject({ name: 'Acme', domainNames: ['acme.com', 'acme.org'], notes: 'key account' });
    expect(decideOrganizationUpdate(next, { domainNames: ['acme.com', 'acme.org'] }, NOW)).toEqual([]);
  });

  it('can clear the group', () => {
    const withGroup = decideOrganizationUpdate(state, { groupId: 3 }, NOW).reduce(evolveOrganization, state);
    expect(decideOrganizationUpdate(withGroup, { groupId: null }, NOW)).toEqual([{ type: 'organization.updated', data: { organizationId: 5, groupId: null, updatedAt: NOW } }]);
    const cleared: OrganizationEvent[] = decideOrganizationUpdate(withGroup, { groupId: null }, NOW);
    expect(cleared.reduce(evolveOrganization, withGroup).groupId).toBeNull();
  });
});
