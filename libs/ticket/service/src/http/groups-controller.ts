import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import { PeopleApi } from '../people/people-api';
import { AuthGuard, parsePage, pathId, requireAdmin, requireAgent } from '@mailroom/http';
import type { AuthedRequest } from './authenticator';

/** Groups and group memberships (Zendesk v2); agents read, admins change. */
@Controller('api/v2')
@UseGuards(AuthGuard)
export class GroupsController {
  constructor(private readonly people: PeopleApi) {}

  @Get('groups')
  list(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    return this.people.listGroups(parsePage(q));
  }

  @Post('groups')
  @HttpCode(201)
  create(@Req() req: AuthedRequest, @Body() body: unknown) {
    return this.people.createGroup(body, requireAdmin(req.user));
  }

  @Get('groups/:id')
  show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    return this.people.showGroup(pathId(id));
  }

  @Put('groups/:id')
  update(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    return this.people.updateGroup(pathId(id), body, requireAdmin(req.user));
  }

  @Delete('groups/:id')
  @HttpCode(204)
  async remove(@Req() req: AuthedRequest, @Param('id') id: string) {
    await this.people.deleteGroup(pathId(id), requireAdmin(req.user));
  }

  @Get('groups/:id/memberships')
  groupMemberships(@Req() req: AuthedRequest, @Param('id') id: string, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    return this.people.listMemberships(parsePage(q), { groupId: pathId(id) }, `groups/${pathId(id)}/memberships`);
  }

  @Get('group_memberships')
  memberships(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    return this.people.listMemberships(parsePage(q), {}, 'group_memberships');
  }

  @Post('group_memberships')
  @HttpCode(201)
  createMembership(@Req() req: AuthedRequest, @Body() body: unknown) {
    return this.people.createMembership(body, requireAdmin(req.user));
  }

  @Get('group_memberships/:id')
  showMembership(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    return this.people.showMembership(pathId(id));
  }

  @Delete('group_memberships/:id')
  @HttpCode(204)
  async deleteMembership(@Req() req: AuthedRequest, @Param('id') id: string) {
    await this.people.deleteMembership(pathId(id), requireAdmin(req.user));
  }

  @Get('users/:userId/group_memberships')
  userMemberships(@Req() req: AuthedRequest, @Param('userId') userId: string, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    return this.people.listMemberships(parsePage(q), { userId: pathId(userId) }, `users/${pathId(userId)}/group_memberships`);
  }

  @Post('users/:userId/group_memberships')
  @HttpCode(201)
  createUserMembership(@Req() req: AuthedRequest, @Param('userId') userId: string, @Body() body: unknown) {
    return this.people.createMembership(body, requireAdmin(req.user), pathId(userId));
  }

  @Get('users/:userId/group_memberships/:id')
  showUserMembership(@Req() req: AuthedRequest, @Param('userId') userId: string, @Param('id') id: string) {
    requireAgent(req.user);
    return this.people.showMembership(pathId(id), pathId(userId));
  }

  @Put('users/:userId/group_memberships/:id/make_default')
  makeDefaultMembership(@Req() req: AuthedRequest, @Param('userId') userId: string, @Param('id') id: string) {
    return this.people.makeDefaultMembership(pathId(userId), pathId(id), requireAdmin(req.user));
  }

  @Delete('users/:userId/group_memberships/:id')
  @HttpCode(204)
  async deleteUserMembership(@Req() req: AuthedRequest, @Param('userId') userId: string, @Param('id') id: string) {
    await this.people.deleteMembership(pathId(id), requireAdmin(req.user), pathId(userId));
  }
}
