/** @odoo-module **/

import { registry } from "@web/core/registry";

const LISTING_ROW = '.o_field_widget[name="marketplace_listing_ids"] .o_data_row:contains("ODOO-PEDAL-BIN")';
const DROPDOWN_ITEM = ".o-autocomplete--dropdown-item";
const CONDITION_ITEM = `.modal .o_field_widget[name="ebay_condition_id"] ${DROPDOWN_ITEM}`;
// the condition's own records, not "Search More..." nor a category dropdown still closing
const CONDITION_RECORD = `${CONDITION_ITEM}:not(.o_m2o_dropdown_option)`;

/** The seller's path (tests/test_publish_tour.py): a product, its eBay tab, the draft listing, what the check
 * asks for (a category, then a condition among those the category accepts), Publish: the listing is queued. */
registry.category("web_tour.tours").add("ebay_publish_tour", {
    steps: () => [
        { content: "open the eBay tab of the product", trigger: '.o_notebook .nav-link[name="ebay"]', run: "click" },
        {
            content: "the draft listing says what to fix",
            trigger: `${LISTING_ROW}:contains("Choose an eBay category") td[name="title"]`,
            run: "click",
        },
        {
            content: "type the category",
            trigger: '.modal .o_field_widget[name="ebay_category_id"] input',
            run: "edit Trash",
        },
        { content: "choose it", trigger: `${DROPDOWN_ITEM} a:contains("Trash Cans")`, run: "click" },
        {
            content: "the category is set",
            trigger: '.modal .o_field_widget[name="ebay_category_id"] input:value("Home > Kitchen > Trash Cans")',
        },
        {
            content: "open the conditions",
            trigger: '.modal .o_field_widget[name="ebay_condition_id"] input',
            run: "click",
        },
        {
            content: "only the conditions the category accepts are offered",
            trigger: `${CONDITION_ITEM} a:contains("Used")`,
            run() {
                const offered = [...document.querySelectorAll(`${CONDITION_RECORD} a`)].map((a) => a.textContent.trim());
                if (offered.join("|") !== "New|Used") {
                    console.error(`conditions offered: ${offered.join(", ")}; expected: New, Used`);
                }
            },
        },
        { content: "choose New", trigger: `${CONDITION_ITEM} a:contains("New")`, run: "click" },
        {
            content: "the condition is set",
            trigger: '.modal .o_field_widget[name="ebay_condition_id"] input:value("New")',
        },
        { content: "save the listing", trigger: ".modal .o_form_button_save", run: "click" },
        { content: "back on the product", trigger: "body:not(:has(.modal))" },
        { content: "press Publish", trigger: `${LISTING_ROW} button[name="action_publish"]`, run: "click" },
        { content: "the listing is queued", trigger: `${LISTING_ROW} td[name="state"]:contains("Queued")` },
    ],
});
