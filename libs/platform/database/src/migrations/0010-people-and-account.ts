import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Groups, group memberships, organizations (ticket's read models, projected from the group and
 * organization streams and rebuildable), the rows that keep names and domains unique (written in
 * the transaction that appends the event, like ticket.user_emails), and the account settings in
 * force (the state of the `account` stream, written with its events; every service reads it).
 */
export class PeopleAndAccount1764050400010 implements MigrationInterface {
  name = 'PeopleAndAccount1764050400010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE ticket.group_ids`);
    await q.query(`CREATE SEQUENCE ticket.group_membership_ids`);
    await q.query(`CREATE SEQUENCE ticket.organization_ids`);
    // Uniqueness guards (lower-case keys).
    await q.query(`CREATE TABLE ticket.group_names (name_key text PRIMARY KEY, group_id bigint NOT NULL)`);
    await q.query(`CREATE TABLE ticket.organization_names (name_key text PRIMARY KEY, organization_id bigint NOT NULL)`);
    await q.query(`CREATE TABLE ticket.organization_domains (domain text PRIMARY KEY CHECK (domain = lower(domain)), organization_id bigint NOT NULL)`);
    await q.query(`CREATE INDEX organization_domains_org ON ticket.organization_domains (organization_id)`);
    // Read models. A group row's version is its stream's, memberships included.
    await q.query(`
      CREATE TABLE ticket.groups (
        id         bigint PRIMARY KEY,
        version    bigint NOT NULL,
        deleted    boolean NOT NULL DEFAULT false,
        is_default boolean NOT NULL DEFAULT false,
        data       jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE ticket.group_memberships (
        id       bigint PRIMARY KEY,
        group_id bigint NOT NULL,
        user_id  bigint NOT NULL,
        data     jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX group_memberships_group ON ticket.group_memberships (group_id, user_id)`);
    await q.query(`CREATE INDEX group_memberships_user ON ticket.group_memberships (user_id, id)`);
    await q.query(`
      CREATE TABLE ticket.organizations (
        id      bigint PRIMARY KEY,
        version bigint NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        data    jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX users_organization ON ticket.users (((data->>'organization_id')::bigint)) WHERE data->>'organization_id' IS NOT NULL`);
    await q.query(`CREATE SCHEMA IF NOT EXISTS account`);
    await q.query(`
      CREATE TABLE account.settings (
        id         boolean PRIMARY KEY DEFAULT true CHECK (id),
        version    bigint NOT NULL,
        settings   jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA account CASCADE`);
    await q.query(`DROP INDEX ticket.users_organization`);
    await q.query(`DROP TABLE ticket.organizations, ticket.group_memberships, ticket.groups, ticket.organization_domains, ticket.organization_names, ticket.group_names`);
    await q.query(`DROP SEQUENCE ticket.organization_ids, ticket.group_membership_ids, ticket.group_ids`);
  }
}
