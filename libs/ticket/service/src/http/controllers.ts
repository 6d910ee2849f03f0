import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AuthGuard, parsePage, pathId as ticketId, requireAgent } from '@mailroom/http';
import type { AuthedRequest } from './authenticator';
import { TicketApi } from './ticket-api';

// Paths are also reachable with a `.json` suffix (stripped before routing by the API host, see @mailroom/http).
@Controller('api/v2')
@UseGuards(AuthGuard)
export class TicketsController {
  constructor(private readonly api: TicketApi) {}

  @Get('tickets')
  list(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    return this.api.listTickets(parsePage(q));
  }

  @Post('tickets')
  @HttpCode(201)
  create(@Req() req: AuthedRequest, @Body() body: unknown) {
    return this.api.createTicket(body, requireAgent(req.user));
  }

  @Get('tickets/:id')
  show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    return this.api.showTicket(ticketId(id));
  }

  @Put('tickets/:id')
  update(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    return this.api.updateTicket(ticketId(id), body, requireAgent(req.user));
  }

  @Get('tickets/:id/comments')
  comments(@Req() req: AuthedRequest, @Param('id') id: string, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    return this.api.listComments(ticketId(id), parsePage(q));
  }

  @Get('tickets/:id/audits')
  audits(@Req() req: AuthedRequest, @Param('id') id: string, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    return this.api.listAudits(ticketId(id), parsePage(q));
  }
}

@Controller('api/v2')
@UseGuards(AuthGuard)
export class UsersController {
  constructor(private readonly api: TicketApi) {}

  @Get('users')
  list(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    const role = typeof q.role === 'string' ? q.role.replace('-', '_') : undefined;
    return this.api.listUsers(parsePage(q), role);
  }

  @Get('users/me')
  me(@Req() req: AuthedRequest) {
    return { user: this.api.userJson(req.user!) };
  }

  @Get('users/:id')
  show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    return this.api.showUser(ticketId(id));
  }

  @Post('users')
  async create(@Req() req: AuthedRequest, @Body() body: unknown, @Res() res: Response) {
    const r = await this.api.createUser(body, requireAgent(req.user));
    res.status(r.status).json(r.body);
  }
}
