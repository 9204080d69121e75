// webphone_config.js: parameters for the sample, the way Mizu integrations set them.
// wpservice reads the standard ones (serveraddress, username, password...) and, for
// an engine on other ports than the default, engineports.
var webphone_api = window.webphone_api || {};
webphone_api.parameters = webphone_api.parameters || {};
