import { SetMetadata } from '@nestjs/common';

/** The metadata key of the Nest docs' "Enable authentication globally" section. */
export const IS_PUBLIC_KEY = 'isPublic';

/** `@Public()` as the Nest docs write it, for the comparison apps (ours uses the library's). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
