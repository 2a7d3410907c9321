import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** Body of `POST /auth/refresh` and `POST /auth/logout`. */
export class RefreshTokenDto {
  // Refresh tokens are about 43 base64url characters; 512 leaves room for other formats.
  @ApiProperty({
    description: 'The opaque refresh token from the last token response.',
    maxLength: 512,
  })
  @IsString()
  @Length(1, 512)
  refreshToken!: string;
}
