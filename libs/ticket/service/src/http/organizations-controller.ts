import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import { PeopleApi } from '../people/people-api';
import { AuthGuard, parsePage, pathId, requireAdmin, requireAgent } from '@mailroom/http';
import type { AuthedRequest } from './authenticator';

/** Organizations (Zendesk v2), with domain_names for user mapping; agents read, admins change. */
@Controller('api/v2')
@UseGuards(AuthGuard)
export class OrganizationsController {
  constructor(private readonly people: PeopleApi) {}

  @Get('organizations')
  list(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    return this.people.listOrganizations(parsePage(q));
  }

  @Post('organizations')
  @HttpCode(201)
  create(@Req() req: AuthedRequest, @Body() body: unknown) {
    return this.people.createOrganization(body, requireAdmin(req.user));
  }

  @Get('organizations/:id')
  show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    return this.people.showOrganization(pathId(id));
  }

  @Put('organizations/:id')
  update(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    return this.people.updateOrganization(pathId(id), body, requireAdmin(req.user));
  }

  @Delete('organizations/:id')
  @HttpCode(204)
  async remove(@Req() req: AuthedRequest, @Param('id') id: string) {
    await this.people.deleteOrganization(pathId(id), requireAdmin(req.user));
  }

  @Get('organizations/:id/users')
  users(@Req() req: AuthedRequest, @Param('id') id: string, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    return this.people.organizationUsers(pathId(id), parsePage(q));
  }
}

/** PUT /api/v2/users/{id}: name, role and organization_id (the rest of /users is in controllers.ts). */
@Controller('api/v2')
@UseGuards(AuthGuard)
export class UserUpdatesController {
  constructor(private readonly people: PeopleApi) {}

  @Put('users/:id')
  update(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    return this.people.updateUser(pathId(id), body, requireAgent(req.user));
  }
}
