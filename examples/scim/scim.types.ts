// Generated from examples/scim/scim.openapi.yaml by `usermock types`: run it again when the spec changes.
export interface paths {
    "/scim/v2/Users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List users
         * @description Query users ([RFC 7644 §3.4.2](https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2)):
         *     the users `filter` matches (all without one), one page of them. An empty result is a 200
         *     with `totalResults: 0` and empty `Resources`, never a 404.
         */
        get: operations["listUsers"];
        put?: never;
        /**
         * Create a user
         * @description Create a user ([RFC 7644 §3.3](https://www.rfc-editor.org/rfc/rfc7644#section-3.3)). The
         *     201 answer is the new user, with a new `id` and its `meta`, and `Location` is its
         *     `meta.location`. A `userName` another user has, in any case, gets 409 `uniqueness`.
         */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/Users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a user
         * @description Retrieve a user by its `id` ([RFC 7644 §3.4.1](https://www.rfc-editor.org/rfc/rfc7644#section-3.4.1)).
         */
        get: operations["getUser"];
        /**
         * Replace a user
         * @description Replace a user's attributes with the body's
         *     ([RFC 7644 §3.5.1](https://www.rfc-editor.org/rfc/rfc7644#section-3.5.1)). An attribute
         *     the body leaves out is cleared (§3.5.1 leaves the choice to the service provider); `id`
         *     and `meta.created` never change, `meta.lastModified` does. `id` and `meta` in the body
         *     are ignored. A `userName` another user has, in any case, gets 409 `uniqueness`.
         */
        put: operations["replaceUser"];
        post?: never;
        /**
         * Delete a user
         * @description Delete a user ([RFC 7644 §3.6](https://www.rfc-editor.org/rfc/rfc7644#section-3.6)): 204,
         *     and from then on its id gets 404 and no list shows it. Its userName is free again.
         */
        delete: operations["deleteUser"];
        options?: never;
        head?: never;
        /**
         * Modify a user
         * @description Apply a PatchOp message's `Operations` in order, all or none
         *     ([RFC 7644 §3.5.2](https://www.rfc-editor.org/rfc/rfc7644#section-3.5.2)); the answer is
         *     the whole user. `path` is an attribute name (`userName`, `externalId`, `displayName`,
         *     `active`, `name`, `emails`) or a sub-attribute of `name` (`name.givenName` …), read
         *     whatever its case; value filters (`emails[type eq "work"]`) are not supported
         *     (400 `invalidPath`).
         *     - `add` ([§3.5.2.1](https://www.rfc-editor.org/rfc/rfc7644#section-3.5.2.1)) and `replace`
         *       ([§3.5.2.3](https://www.rfc-editor.org/rfc/rfc7644#section-3.5.2.3)) set the attribute at
         *       `path` to `value`, except that `add` to `emails` appends its values (an array), and both
         *       merge the sub-attributes of a `name` value into `name`; a `null` value unassigns the
         *       attribute. Without `path`, `value` is an object whose attributes are each added or
         *       replaced so.
         *     - `remove` ([§3.5.2.2](https://www.rfc-editor.org/rfc/rfc7644#section-3.5.2.2)) unassigns
         *       the attribute at `path`; without `path` it gets 400 `noTarget`.
         *     - An operation on `id`, `meta` or `schemas`, or one that removes `userName` (or sets it to
         *       `null`), gets 400 `mutability`; a user the operations leave invalid (a value of the wrong type, more than
         *       one primary email) gets 400 `invalidValue`; a `userName` another user has, 409
         *       `uniqueness`.
         */
        patch: operations["patchUser"];
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description The schema URIs of the resource (RFC 7643 [§3](https://www.rfc-editor.org/rfc/rfc7643#section-3)):
         *     this API has the core User schema only, and no extension.
         */
        UserSchemas: "urn:ietf:params:scim:schemas:core:2.0:User"[];
        /**
         * @description A SCIM User (RFC 7643 [§4.1](https://www.rfc-editor.org/rfc/rfc7643#section-4.1)) with the
         *     attributes this API has. Attributes it does not define are refused (400 `invalidValue`).
         */
        User: {
            schemas: components["schemas"]["UserSchemas"];
            /**
             * @description The service provider's unique, opaque, case-exact identifier of the user; it never
             *     changes (RFC 7643 [§3.1](https://www.rfc-editor.org/rfc/rfc7643#section-3.1)).
             */
            readonly id: string;
            /** @description The provisioning client's own identifier of the user; case-exact (RFC 7643 §3.1). */
            externalId?: string;
            /**
             * @description Unique identifier for the user, non-empty, unique across the service provider, and
             *     compared whatever its case (`caseExact: false`, RFC 7643
             *     [§4.1.1](https://www.rfc-editor.org/rfc/rfc7643#section-4.1.1)); stored as sent.
             */
            userName: string;
            name?: components["schemas"]["Name"];
            /** @description The name of the user, suitable for display (RFC 7643 §4.1.1). */
            displayName?: string;
            /** @description The user's administrative status (RFC 7643 §4.1.1); unassigned unless set. */
            active?: boolean;
            /**
             * @description Email addresses (RFC 7643 [§4.1.2](https://www.rfc-editor.org/rfc/rfc7643#section-4.1.2));
             *     at most one is `primary`.
             */
            emails?: components["schemas"]["Email"][];
            readonly meta: components["schemas"]["Meta"];
        };
        /** @description The components of the user's name (RFC 7643 [§4.1.1](https://www.rfc-editor.org/rfc/rfc7643#section-4.1.1)). */
        Name: {
            /** @description The full name, formatted for display. */
            formatted?: string;
            /** @description The family name. */
            familyName?: string;
            /** @description The given name. */
            givenName?: string;
        };
        /** @description One email address (RFC 7643 [§2.4](https://www.rfc-editor.org/rfc/rfc7643#section-2.4), §4.1.2). */
        Email: {
            /**
             * Format: email
             * @description The address.
             */
            value: string;
            /**
             * @description Its kind, one of the canonical values of RFC 7643 §4.1.2.
             * @enum {string}
             */
            type?: "work" | "home" | "other";
            /** @description Whether it is the user's preferred address; true on at most one. */
            primary?: boolean;
        };
        /**
         * @description Resource metadata, set by the service provider (RFC 7643
         *     [§3.1](https://www.rfc-editor.org/rfc/rfc7643#section-3.1)).
         */
        Meta: {
            /** @enum {string} */
            resourceType: "User";
            /**
             * Format: date-time
             * @description When the user was created; never changes.
             */
            created: string;
            /**
             * Format: date-time
             * @description When the user last changed (its creation, until a PUT or PATCH).
             */
            lastModified: string;
            /**
             * Format: uri
             * @description The user's URI, `<origin>/scim/v2/Users/<id>`.
             */
            location: string;
            /** @description A weak ETag (RFC 7644 §3.14); this API does not version users and does not send it. */
            version?: string;
        };
        /**
         * @description One page of a query's results (RFC 7644 [§3.4.2](https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2)).
         *     This API always sends all five attributes; `Resources` is `[]` when the page is empty.
         */
        ListResponse: {
            schemas: "urn:ietf:params:scim:api:messages:2.0:ListResponse"[];
            /** @description How many users the filter matches, on every page. */
            totalResults: number;
            /** @description The 1-based index of the page's first user. */
            startIndex: number;
            /** @description How many users this page holds (the length of `Resources`). */
            itemsPerPage: number;
            Resources: components["schemas"]["User"][];
        };
        /** @description A PatchOp message (RFC 7644 [§3.5.2](https://www.rfc-editor.org/rfc/rfc7644#section-3.5.2)). */
        PatchOp: {
            schemas: "urn:ietf:params:scim:api:messages:2.0:PatchOp"[];
            Operations: components["schemas"]["PatchOperation"][];
        };
        /** @description One operation of a PatchOp message. */
        PatchOperation: {
            /** @enum {string} */
            op: "add" | "remove" | "replace";
            /** @description The attribute it changes (`active`, `name.givenName` …); without it, `value` names them. */
            path?: string;
            /** @description The new value; for `add` and `replace` without `path`, an object of attributes. */
            value?: unknown;
        };
        /**
         * @description A SCIM error message (RFC 7644 [§3.12](https://www.rfc-editor.org/rfc/rfc7644#section-3.12)).
         *     `detail` is optional in the RFC; this API always sends it.
         */
        ScimError: {
            schemas: "urn:ietf:params:scim:api:messages:2.0:Error"[];
            /** @description The HTTP status, as a JSON string. */
            status: string;
            /**
             * @description The kind of a 400 or 409 (RFC 7644 §3.12, Table 9).
             * @enum {string}
             */
            scimType?: "invalidFilter" | "tooMany" | "uniqueness" | "mutability" | "invalidSyntax" | "invalidPath" | "noTarget" | "invalidValue" | "invalidVers" | "sensitive";
            /** @description What went wrong, in words. */
            detail: string;
        };
        /** @description A 400 SCIM error, always with its `scimType`. */
        BadRequestError: components["schemas"]["ScimError"] & {
            /** @enum {string} */
            status?: "400";
            /** @enum {string} */
            scimType: "invalidFilter" | "invalidSyntax" | "invalidValue" | "invalidPath" | "noTarget" | "mutability";
        };
        /** @description A 401 SCIM error. */
        UnauthorizedError: components["schemas"]["ScimError"] & {
            /** @enum {string} */
            status?: "401";
        };
        /** @description A 403 SCIM error. */
        ForbiddenError: components["schemas"]["ScimError"] & {
            /** @enum {string} */
            status?: "403";
        };
        /** @description A 404 SCIM error. */
        NotFoundError: components["schemas"]["ScimError"] & {
            /** @enum {string} */
            status?: "404";
        };
        /** @description A 409 SCIM error, `scimType` `uniqueness`. */
        ConflictError: components["schemas"]["ScimError"] & {
            /** @enum {string} */
            status?: "409";
            /** @enum {string} */
            scimType: "uniqueness";
        };
    };
    responses: {
        /**
         * @description Unauthorized - no `Authorization: Bearer <token>`, a malformed one, or a token the service
         *     provider did not issue ([RFC 7644 §3.12](https://www.rfc-editor.org/rfc/rfc7644#section-3.12)).
         */
        Unauthorized: {
            headers: {
                /** @description The Bearer challenge ([RFC 6750 §3](https://www.rfc-editor.org/rfc/rfc6750#section-3)). */
                "WWW-Authenticate": string;
                [name: string]: unknown;
            };
            content: {
                "application/scim+json": components["schemas"]["UnauthorizedError"];
            };
        };
        /**
         * @description Forbidden - a standard token on a write ([RFC 7644 §3.12](https://www.rfc-editor.org/rfc/rfc7644#section-3.12):
         *     "operation is not permitted based on the supplied authorization").
         */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/scim+json": components["schemas"]["ForbiddenError"];
            };
        };
        /** @description Not Found - no user has this id ([RFC 7644 §3.12](https://www.rfc-editor.org/rfc/rfc7644#section-3.12)). */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/scim+json": components["schemas"]["NotFoundError"];
            };
        };
        /**
         * @description Conflict - another user has this `userName`, compared whatever the case
         *     ([RFC 7644 §3.3](https://www.rfc-editor.org/rfc/rfc7644#section-3.3), `scimType: uniqueness`).
         */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/scim+json": components["schemas"]["ConflictError"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listUsers: {
        parameters: {
            query?: {
                /**
                 * @description `userName eq "<value>"` (matched whatever the case) or `externalId eq "<value>"`
                 *     (matched exactly) — [RFC 7644 §3.4.2.2](https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2).
                 *     Anything else is answered 400 `invalidFilter`.
                 */
                filter?: string;
                /**
                 * @description The 1-based index of the first user of the page; a value below 1 is read as 1
                 *     ([RFC 7644 §3.4.2.4](https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.4)).
                 */
                startIndex?: number;
                /**
                 * @description The most users the page may hold: default and maximum 100; a negative value is read
                 *     as 0, which answers an empty page with `totalResults`
                 *     ([RFC 7644 §3.4.2.4](https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.4)).
                 */
                count?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK - a ListResponse. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ListResponse"];
                };
            };
            /** @description Bad Request - a filter this API does not understand, or a startIndex or count that is not an integer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["BadRequestError"];
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description A User; `id` and `meta` are ignored when sent. */
        requestBody: {
            content: {
                "application/scim+json": components["schemas"]["User"];
            };
        };
        responses: {
            /** @description Created - the new user. */
            201: {
                headers: {
                    /** @description The new user's URI, its `meta.location` ([RFC 7644 §3.3](https://www.rfc-editor.org/rfc/rfc7644#section-3.3)). */
                    Location: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["User"];
                };
            };
            /** @description Bad Request - the body is not a User. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["BadRequestError"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's `id` (opaque and case-exact); an id no user has gets 404. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK - the user. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    replaceUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's `id`; an id no user has gets 404. */
                id: string;
            };
            cookie?: never;
        };
        /** @description The user as it is to be; `id` and `meta` are ignored when sent. */
        requestBody: {
            content: {
                "application/scim+json": components["schemas"]["User"];
            };
        };
        responses: {
            /** @description OK - the user as it is now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["User"];
                };
            };
            /** @description Bad Request - the body is not a User. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["BadRequestError"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    deleteUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's `id`; an id no user has gets 404. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content - the user is gone. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    patchUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's `id`; an id no user has gets 404. */
                id: string;
            };
            cookie?: never;
        };
        /** @description A PatchOp message. */
        requestBody: {
            content: {
                "application/scim+json": components["schemas"]["PatchOp"];
            };
        };
        responses: {
            /** @description OK - the user as it is now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["User"];
                };
            };
            /** @description Bad Request - not a PatchOp message, or an operation that cannot be applied. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["BadRequestError"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
}

/** The spec's operation ids. */
export type OperationId = keyof operations;
