import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, ValidateIf } from 'class-validator';

/** Body of `POST /auth/refresh` and `POST /auth/logout`. */
export class RefreshTokenDto {
  // Refresh tokens are about 43 base64url characters; 512 leaves room for other formats.
  @ApiProperty({
    description:
      'The opaque refresh token from the last token response. Omitted (`{}` or no body) by ' +
      'browser pages in cookie mode (`X-Refresh-Transport: cookie`): the refresh cookie carries it.',
    maxLength: 512,
    required: false,
  })
  // Absent is allowed (cookie mode); null, '' or a non-string still fail as before.
  @ValidateIf((_body: unknown, value: unknown) => value !== undefined)
  @IsString()
  @Length(1, 512)
  refreshToken?: string;
}
