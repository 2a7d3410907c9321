import { ApiProperty } from '@nestjs/swagger';

/** Token response of login and refresh (documentation only). */
export class TokenPairDto {
  @ApiProperty({ description: 'JWS, header typ "at+jwt" (RFC 9068).' })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires.' })
  expiresIn!: number;

  @ApiProperty({ description: 'Opaque; single use, rotated on every refresh.' })
  refreshToken!: string;

  @ApiProperty({ description: 'Seconds until the refresh token expires.' })
  refreshExpiresIn!: number;
}

/** A user as the API shows it (documentation only). */
export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ type: [String], example: ['user'] })
  roles!: string[];
}

/** One refresh-token session of the caller (documentation only). */
export class SessionDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  lastUsedAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({
    description: 'Whether this is the session of the access token that made the request.',
  })
  current!: boolean;
}

/** The error body of every failure (documentation only). */
export class ErrorDto {
  @ApiProperty({ example: 401 })
  statusCode!: number;

  @ApiProperty({ example: 'Unauthorized' })
  error!: string;

  @ApiProperty({ example: 'Invalid access token' })
  message!: string;
}
