import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength, MinLength } from 'class-validator';
import { normalizeEmail } from '../../users/user.entity.js';

const normalized = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? normalizeEmail(value) : value;

/** Body of `POST /auth/register`. */
export class RegisterDto {
  @ApiProperty({
    example: 'ada@example.com',
    maxLength: 254,
    description: 'Stored trimmed and in lower case.',
  })
  @Transform(normalized)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 8, maxLength: 128 })
  @IsString()
  @Length(8, 128)
  password!: string;
}

/** Body of `POST /auth/login`. Only bounded, not format-checked: a bad email is a plain 401. */
export class LoginDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple', maxLength: 128 })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password!: string;
}
