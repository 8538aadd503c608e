site-name = FarmGate
site-tagline = The county e-commerce public service platform: village specialties for the whole country
skip-to-content = Skip to content
nav-home = Home
nav-login = Log in
nav-register = Register
nav-logout = Log out
nav-account = My account
nav-people = People
nav-api-docs = API docs
lang-switch-label = Language
footer-text = FarmGate: rural e-commerce public service platform
back-home = Back to home

home-title = County specialties, straight to the whole country
home-intro = Local specialties from county e-commerce service centres and village stations. Pick a county to see what it grows and makes.
home-counties = Counties
home-known-for = Known for:
home-products-empty = Shops and products are coming soon; none are listed yet.
home-no-regions = No regions have been loaded yet. An administrator can run farmgate seed demo to load the demo counties.
home-townships = { $count ->
    [one] { $count } township
   *[other] { $count } townships
}

region-level-country = Country
region-level-province = Province
region-level-prefecture = Prefecture
region-level-county = County
region-level-township = Township
region-level-village = Village
region-breadcrumb = Where it is
region-children = Places within
region-no-children = No places below this one.
region-products = Specialties of { $name }
region-products-empty = No products are listed here yet.
region-coordinates = Location: { $lat }° N, { $lon }° E

login-title = Log in
login-field-login = Mobile number or login name
login-field-login-hint = For example 13812345678
login-field-password = Password
login-submit = Log in
login-no-account = No account yet?
login-registered = Registration received. Log in with the number or login name and the password you chose.
logout-done = You have logged out.

register-title = Register
register-field-display-name = Your name
register-password-hint = At least { $min } characters
register-submit = Register
register-have-account = Already have an account?

account-title = My account
account-login = Login name
account-phone = Mobile number
account-language = Language
account-grants = My roles
account-no-grants = You hold no roles yet.
account-grant = { $role } ({ $region })

people-title = People of { $region }
people-empty = Nobody holds a role in this region yet.
people-name = Name
people-phone = Mobile
people-role = Role
people-region = Region

role-buyer = Buyer
role-seller = Seller
role-host = Livestream host
role-station_operator = Station operator
role-centre_staff = Service centre staff
role-trainer = Trainer
role-courier = Courier
role-official = Official
role-admin = Administrator

api-docs-title = API documentation
api-docs-intro = FarmGate's JSON API lives under /api/v1. The machine-readable OpenAPI 3.1 document is at /api/openapi.json.
api-docs-auth = Sign-in required

error-title = Something went wrong
error-not-found-title = Page not found
error-not-found = The page or record you asked for does not exist.
error-server = Something went wrong on our side; it has been logged. Please try again later.
error-unavailable = The service is unavailable for a moment; please try again later.
error-unauthenticated = Please log in first.
error-forbidden = You are not allowed to do this.
error-csrf = This page has expired. Reload it and submit again.
error-rate-limited = Too many attempts. Try again in { $seconds } seconds.
error-bad-request = The request is not well formed.
error-json-invalid = The data sent is not in the expected format.
error-payload-too-large = What was sent is too large.
error-timeout = The request took too long; please try again.
error-method-not-allowed = This kind of request is not supported here.
error-required = Please fill this in.
error-phone-invalid = Enter an 11-digit mainland China mobile number, for example 13812345678.
error-login-invalid = A login name has 3 to 32 characters, starts with a letter, and uses only letters, digits and . _ -.
error-password-too-short = The password needs at least 8 characters.
error-password-too-long = The password can have at most 128 characters.
error-display-name-invalid = A name has at most 40 characters and no control characters.
error-login-failed = The mobile number, login name or password is not right.
error-region-invalid = There is no such region.
error-role-invalid = There is no such role.
error-grant-not-allowed = You may not grant this role in this region.
error-account-unknown = There is no such account.
error-price-invalid = Enter a price in yuan, for example 38 or 12.50.
error-shop-kind-invalid = Choose farmer, cooperative or company.
error-shop-name-invalid = A shop name has 2 to 40 characters.
error-text-too-long = This text is too long or has characters that cannot be used.
error-already-decided = This application has already been decided.
error-conflict = This already exists.
