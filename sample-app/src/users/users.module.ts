import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordHasher } from './password-hasher.js';
import { UserEntity } from './user.entity.js';
import { UsersService } from './users.service.js';

/** Users and their passwords. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  providers: [PasswordHasher, UsersService],
  exports: [UsersService],
})
export class UsersModule {}
